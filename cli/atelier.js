#!/usr/bin/env node
// The `atelier` command (npx atelier …): loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
