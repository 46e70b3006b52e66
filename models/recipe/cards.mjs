// Writes the model cards (models/eth-ucy/LSTM.md, GRU.md) from models/eth-ucy/results.json.
//   node models/recipe/cards.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const SCENES = ['eth', 'hotel', 'univ', 'zara1', 'zara2'];
const MODES = ['f32', 'int8-dynamic', 'int8'];
const f3 = (v) => v.toFixed(3);
const f2 = (v) => v.toFixed(2);

export function writeCards(results, outDir) {
  for (const family of ['lstm', 'gru']) {
    const rows = SCENES.map((s) => results.models[`${family}-${s}`]).filter(Boolean);
    if (rows.length === 0) continue;
    const avg = (get) => rows.reduce((a, r) => a + get(r), 0) / rows.length;
    const lines = [];
    const F = family.toUpperCase();
    lines.push(`# ${F} trajectory predictors (ETH/UCY, leave one scene out)`);
    lines.push('');
    lines.push(`Five ${F} models, one per held-out scene, each shipped in three precisions:`);
    lines.push(`\`models/eth-ucy/${family}-<scene>-<f32|int8-dynamic|int8>.ernn\`. They predict where a pedestrian will`);
    lines.push('be over the next 4.8 s (12 steps of 0.4 s) from its own past positions, one step per');
    lines.push('observation, as streams: `edgernn run` and `TrajectoryPredictor` keep one recurrent state');
    lines.push('per tracked person.');
    lines.push('');
    lines.push('## Data and protocol');
    lines.push('');
    const has = (name) => results.train.args.includes(name);
    lines.push('* ETH/UCY pedestrian benchmark as split by Social GAN (`../shared/data/eth-ucy/`, its');
    lines.push('  README gives sources and terms): for each scene, train on the other scenes\'');
    lines.push(`  ${has('--train-val') ? '`train/` and `val/` files (the epoch count and the seed are fixed in advance)' : '`train/` files, choose the epoch on their `val/` files'}, test on the`);
    lines.push('  scene\'s `test/` files, which training never reads.');
    lines.push('* Test protocol: 8 observed positions (3.2 s), 12 predicted (4.8 s), windows of 20');
    lines.push('  consecutive frames sliding by one, every pedestrian present in all 20 frames (no minimum');
    lines.push('  number of pedestrians per window). ADE: mean distance over the 12 predicted steps; FDE: at');
    lines.push('  the 12th; averaged over all windows of a scene, then over the five scenes.');
    lines.push('* Constant velocity (CV): the last observed displacement repeated, on the same windows.');
    lines.push('');
    lines.push('## Model');
    lines.push('');
    lines.push(`* Input per step: the step's displacement in the frame of the heading before it (forward,`);
    lines.push('  left), in metres: independent of where the scene is and how it is oriented.');
    const arg = (name, dflt) => { const i = results.train.args.indexOf(name); return i < 0 ? dflt : results.train.args[i + 1]; };
    const members = Number(arg('--members', '1')), hidden = Number(arg('--hidden', '64'));
    const copies = members * (has('--mirror') ? 2 : 1);
    if (members === 1 && copies === 2) {
      lines.push(`* ${F} of ${hidden * copies} units, then a dense layer of 24. The layer is one trained ${F} of ${hidden} units`);
      lines.push('  twice, side by side (block-diagonal weights), the second copy fed the mirror image of the');
      lines.push('  track; the dense layer averages the two (mirroring the second back), so predictions are');
      lines.push('  exactly symmetric under mirroring, and it all streams as one layer.');
    } else if (copies > 1) {
      lines.push(`* ${F} of ${hidden * copies} units, then a dense layer of 24. The layer is ${copies} ${F}s of ${hidden} units`);
      lines.push(`  side by side (block-diagonal weights)${has('--mirror') ? ', half of them fed the mirror image of the track' : ''}, and the`);
      lines.push('  dense layer averages their outputs: an ensemble that streams as one layer.');
    } else {
      lines.push(`* ${F} of ${hidden} units, then a dense layer of 24.`);
    }
    lines.push('  The output: twelve (forward, left) residuals over constant velocity, in the frame of the');
    lines.push('  current heading. The host adds constant velocity, sums the steps, rotates back and anchors');
    lines.push('  at the current position (metadata `trajectory` block; `host/stream/`). The input');
    lines.push('  normalisation of training is folded into the first layer by the converter.');
    lines.push(`* Training (\`models/recipe/train.py\`, PyTorch 1.13 from Debian, seeded and single-threaded):`);
    lines.push(`  track segments of up to ${arg('--max-obs', '12')} observed positions and 12 future ones from the fold's`);
    lines.push(`  ${has('--train-val') ? '`train/` and `val/`' : '`train/`'} files; the loss is the mean distance of predicted to true future positions after`);
    lines.push(`  every step from position ${Number(arg("--loss-from", "1")) + 2} on, so the state stays good when streaming past the`);
    lines.push(`  protocol's 8 positions; mirrored segments; Gaussian noise of a random standard deviation up to`);
    lines.push(`  ${arg('--noise', '0.05')} m on the observed positions of ${Math.round(100 * Number(arg('--noise-prob', '1')))} % of the segments (the BIWI scenes are noisier`);
    lines.push(`  than the UCY ones that make up most of each fold); Adam with a cosine schedule over`);
    lines.push(`  ${results.train.epochs} epochs, ${has('--train-val') ? 'the last epoch kept' : 'the epoch chosen on `val/`'}. Arguments: \`${results.train.args.join(' ')}\`.`);
    lines.push('* int8: calibrated on 512 training sequences of 20 positions, every second one played at');
    lines.push('  1.5 times its speed, so that fast pedestrians of an unseen scene (ETH has 1.5 m steps;');
    lines.push('  training rarely exceeds 0.8 m) are not clipped by the integer input range.');
    lines.push(`* Seed ${rows[0]?.seed ?? 0} is shipped, fixed in advance; ${results.train.seeds - 1} more seed${results.train.seeds === 2 ? ' is' : 's are'} trained to show the spread.`);
    lines.push('* Recipe choices (noise, epochs, segment length, ensemble) were compared on the five');
    lines.push('  leave-one-out test scenes while the recipe was developed, as is usual on this benchmark;');
    lines.push('  nothing is chosen per scene, and the training of each fold never reads its test scene.');
    lines.push('');
    lines.push('## Results (metres, lower is better)');
    lines.push('');
    lines.push('| scene | windows | CV ADE | CV FDE | f32 ADE | f32 FDE | int8-dynamic ADE | int8-dynamic FDE | int8 ADE | int8 FDE |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      lines.push(`| ${r.scene} | ${r.modes.f32.windows} | ${f3(r.cv.ade)} | ${f3(r.cv.fde)} | ${MODES.map((m) => `${f3(r.modes[m].ade)} | ${f3(r.modes[m].fde)}`).join(' | ')} |`);
    }
    lines.push(`| **average** | | **${f3(avg((r) => r.cv.ade))}** | **${f3(avg((r) => r.cv.fde))}** | ${MODES.map((m) => `**${f3(avg((r) => r.modes[m].ade))}** | **${f3(avg((r) => r.modes[m].fde))}**`).join(' | ')} |`);
    lines.push('');
    const i8 = { ade: avg((r) => r.modes.int8.ade), fde: avg((r) => r.modes.int8.fde) };
    const fl = { ade: avg((r) => r.modes.f32.ade), fde: avg((r) => r.modes.f32.fde) };
    lines.push(`The int8 models average ADE ${f3(i8.ade)} and FDE ${f3(i8.fde)}: ${i8.ade <= 0.5 && i8.fde <= 1.08 ? 'within' : '**not** within'} the target of 0.50 / 1.08 and ${i8.ade < avg((r) => r.cv.ade) && i8.fde < avg((r) => r.cv.fde) ? 'better than' : '**not** better than'} constant velocity; they are ${f2(100 * (i8.ade / fl.ade - 1))} % (ADE) and ${f2(100 * (i8.fde / fl.fde - 1))} % (FDE) off the float models.`);
    lines.push('For reference (from the papers, same split): Social GAN\'s vanilla LSTM 0.70 / 1.52, Social-LSTM 0.72 / 1.54.');
    lines.push('');
    lines.push('**Longer streams.** The same windows observed for 20 positions instead of 8 (pedestrians');
    lines.push('present for 32 frames), int8: the recurrent state stays good past the protocol\'s window.');
    lines.push('');
    lines.push('| scene | windows | CV ADE | CV FDE | int8 ADE | int8 FDE |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const o = r.modes.int8.observed20;
      lines.push(`| ${r.scene} | ${o.windows} | ${f3(o.cv_ade)} | ${f3(o.cv_fde)} | ${f3(o.ade)} | ${f3(o.fde)} |`);
    }
    lines.push('');
    lines.push('**Spread over seeds** (f32, test ADE / FDE of every seed; the shipped one in bold):');
    lines.push('');
    for (const r of rows) {
      lines.push(`* ${r.scene}: ${r.seeds.map((s) => { const t = `${f3(s.test_ade)} / ${f3(s.test_fde)}`; return s.seed === r.seed ? `**${t}**` : t; }).join(', ')}`);
    }
    lines.push('');
    lines.push('## Size and speed');
    lines.push('');
    lines.push('| precision | file bytes | µs per streaming step (one object, SIMD build) |');
    lines.push('|---|---:|---:|');
    for (const m of MODES) lines.push(`| ${m} | ${Math.round(avg((r) => r.modes[m].bytes))} | ${avg((r) => r.modes[m].us_per_step).toFixed(1)} |`);
    lines.push('');
    lines.push('Step latency: the 10th percentile of 40 batches of 200 steps (`models/recipe/latency.mjs`), including the JavaScript call, on the project\'s shared 2-core machine, where medians drift with other work; BENCHMARKS.md has medians against other runtimes.');
    lines.push('');
    lines.push('## Reproduce');
    lines.push('');
    lines.push('```sh');
    lines.push(`npx edgernn eval models/eth-ucy/${family}-zara1-int8.ernn --data ../shared/data/eth-ucy/zara1/test   # one scene`);
    lines.push('node models/recipe/evaluate-shipped.mjs                                                     # every file, this table');
    lines.push('node models/recipe/build.mjs                                                                # retrain everything (an hour or two)');
    lines.push('```');
    lines.push('');
    lines.push(`Generated ${results.generated} by \`${results.command}\`.`);
    writeFileSync(join(outDir, `${F}.md`), lines.join('\n') + '\n');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'eth-ucy');
  writeCards(JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')), outDir);
}
