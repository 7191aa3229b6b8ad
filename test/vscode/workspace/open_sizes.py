"""A fully convolutional net: the input's height and width are open sizes (H, W)."""
import keras
from keras import layers

x = keras.Input(shape=(None, None, 3))
y = layers.Conv2D(32, 3)(x)
z = layers.MaxPooling2D(2)(y)
model = keras.Model(x, z)
