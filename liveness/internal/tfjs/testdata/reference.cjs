// reference.cjs runs a TF.js graph model with @tensorflow/tfjs's pure-JS CPU
// backend, as the reference for the Go runtime's parity test.
//
// usage: NODE_PATH=<dir with @tensorflow/tfjs> node reference.cjs <model.json> <output>...
// stdin: the input tensor as little-endian float32, shape taken from the
// model's Placeholder with batch 1. stdout (last line): JSON {"<output>": [...]}.
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

async function main() {
  const [modelPath, ...outputs] = process.argv.slice(2);
  const m = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
  const dir = path.dirname(modelPath);
  const specs = [];
  const parts = [];
  for (const g of m.weightsManifest) {
    specs.push(...g.weights);
    for (const p of g.paths) parts.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(parts);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.length);
  await tf.setBackend('cpu');
  const model = await tf.loadGraphModel({
    load: async () => ({
      modelTopology: m.modelTopology, weightSpecs: specs, weightData,
      format: m.format, generatedBy: m.generatedBy, convertedBy: m.convertedBy,
      signature: m.signature,
    }),
  });
  const ph = m.modelTopology.node.find((n) => n.op === 'Placeholder');
  const shape = ph.attr.shape.shape.dim.map((d, i) => (i === 0 ? 1 : Number(d.size)));
  const raw = fs.readFileSync(0);
  const input = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const x = tf.tensor(Float32Array.from(input), shape);
  const names = outputs.map((o) => (o.includes(':') ? o : o + ':0'));
  let ys = model.execute(x, names);
  if (!Array.isArray(ys)) ys = [ys];
  const res = {};
  outputs.forEach((o, i) => { res[o] = Array.from(ys[i].dataSync()); });
  process.stdout.write('\n' + JSON.stringify(res) + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
