# A model whose second convolution does not fit its input: Shape Lens reports it.
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential([
    keras.Input(shape=(6, 6, 1)),
    layers.Conv2D(8, 3),
    layers.MaxPooling2D(2),
    layers.Conv2D(8, 3),
    layers.Flatten(),
])
