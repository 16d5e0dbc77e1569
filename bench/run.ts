/** `npm run bench`: every benchmark, each printing figures and ratios against its own baseline. */
import { run as readerBench } from './cxml-reader.bench.js';
import { run as gatewayBench } from './gateway.bench.js';

console.log('== cXML reader: 10,000-line OrderRequest');
readerBench();
console.log('\n== gateway through Fastify and the store (SQLite in memory)');
await gatewayBench();
