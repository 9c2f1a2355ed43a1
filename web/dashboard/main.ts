// The operator dashboard's entry point: the shell (app.ts) and, through it, every section.
import './app.js';
