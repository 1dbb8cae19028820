// Vite-only module forms used by the build.
declare module '*?modulePath' {
  const path: string;
  export default path;
}
