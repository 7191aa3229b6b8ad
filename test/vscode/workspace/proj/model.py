# A model whose width comes from another file of the project.
from tensorflow import keras
from config import WIDTH

model = keras.Sequential([
    keras.layers.Dense(WIDTH, input_shape=(4,)),
    keras.layers.Dense(1),
])
