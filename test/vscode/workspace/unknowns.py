import keras
from keras import layers
from settings import FILTERS  # a module this workspace does not have

model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(FILTERS, 3),
        layers.MaxPooling2D(),
        layers.Dense(10),
    ],
    name="unknowns",
)
model.summary()
model.add(layers.Dense(2))
