// Constants of the tfjs-examples MNIST data module.
export const IMAGE_H = 28;
export const IMAGE_W = 28;
export const NUM_CLASSES = 10;
