#!/usr/bin/env node
// Runs the compiled CLI (npm install builds it through the "prepare" script).
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
