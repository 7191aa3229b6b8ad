import keras
from keras import layers

model = keras.Sequential(name="typed")
model.add(keras.Input(shape=(32, 32, 3)))
model.add(layers.Conv2D(16, 3, activation="relu"))
model.add(layers.MaxPooling2D(2))
model.add(layers.Flatten())
model.add(layers.Dense(10))

