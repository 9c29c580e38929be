#!/usr/bin/env node
// `atelier-mcp`: the MCP server on stdio, for clients that start it (node /path/to/atelier/mcp/atelier-mcp.js).
import { register } from 'tsx/esm/api';

register();
await import('./stdio.ts');
