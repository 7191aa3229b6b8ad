// The `mnist` package (devDependency, no types): ten classes, each with its samples as 784 values in [0, 1].
declare module 'mnist' {
  const classes: { id: number; length: number; get(i: number): number[] }[];
  export default classes;
}
