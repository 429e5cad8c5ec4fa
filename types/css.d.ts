/** CSS imported for its side effect by bundled entry points (Vite handles it). */
declare module '*.css';
