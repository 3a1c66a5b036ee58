// The completion scripts' shell code is imported as text (`with { type: "text" }`), so a
// compiled binary carries it.
declare module "*.bash" {
  const text: string;
  export default text;
}
declare module "*.zsh" {
  const text: string;
  export default text;
}
declare module "*.fish" {
  const text: string;
  export default text;
}
