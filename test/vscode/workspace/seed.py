# The two CNNs of the max-pooling article (seed 002): the same network with and without pooling.
import tensorflow as tf

model_without_pooling = tf.keras.Sequential(
    [
        tf.keras.layers.Conv2D(
            filters=10,
            kernel_size=3,  # 3 == (3, 3)
            padding="valid",
            activation="relu",
            input_shape=(224, 224, 3),
        ),
        tf.keras.layers.Conv2D(10, 3),  # (filters, kernel_size)
        tf.keras.layers.Conv2D(10, 3),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ]
)

model_with_pooling = tf.keras.Sequential(
    [
        tf.keras.layers.Conv2D(
            filters=10,
            kernel_size=3,
            padding="valid",
            strides=1,
            activation="relu",
            input_shape=(224, 224, 3),
        ),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Conv2D(10, 3, activation="relu"),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Conv2D(10, 3, activation="relu"),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ]
)
