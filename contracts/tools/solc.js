#!/usr/bin/env node
// Compile Solidity through the pinned npm `solc` (emscripten build).
//
// Usage: node tools/solc.js < standard-json-input > standard-json-output
//
// We call `require('solc').compile` instead of `solcjs --standard-json` because the
// CLI prints a `>>> Cannot retry compilation with SMT` line on stdout before the JSON,
// which breaks any caller that parses stdout. The optimizer is forced on here (not left
// to the caller) so every artifact we measure or deploy is built the same way.
'use strict';

const fs = require('fs');
const solc = require('solc');

if (process.argv.includes('--version')) {
  process.stdout.write(solc.version() + '\n');
  process.exit(0);
}

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
input.settings = input.settings || {};
const runs = (input.settings.optimizer && input.settings.optimizer.runs) || 200;
input.settings.optimizer = { enabled: true, runs };

process.stdout.write(solc.compile(JSON.stringify(input)));
process.stdout.write('\n');
