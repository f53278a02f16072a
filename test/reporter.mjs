// node:test reporter: one line per test file's result, failures in full, and the closing line
// "tests: N passed, N failed[, N skipped]" that CI reads.
export default async function* reporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const failures = [];
  for await (const ev of source) {
    if (ev.type === 'test:pass' || ev.type === 'test:fail') {
      const d = ev.data;
      // Count leaf tests only (suites report too, with details.type === 'suite').
      if (d.details?.type === 'suite') continue;
      if (ev.type === 'test:pass') {
        if (d.skip || d.todo) {
          skipped++;
          yield `  - skip ${d.name}\n`;
        } else {
          passed++;
          yield `  ✓ ${d.name} (${Math.round(d.details?.duration_ms ?? 0)} ms)\n`;
        }
      } else if (d.todo) {
        // A todo test documents a known bug; it is reported, not counted as a failure.
        skipped++;
        yield `  - todo ${d.name} (${typeof d.todo === 'string' ? d.todo : 'known issue'})\n`;
      } else {
        failed++;
        const err = d.details?.error;
        const cause = err?.cause ?? err;
        const text = `${d.file ?? ''}\n  ✗ ${d.name}\n${indent(String(cause?.stack ?? cause?.message ?? cause))}\n`;
        failures.push(text);
        yield `  ✗ ${d.name}\n`;
      }
    } else if (ev.type === 'test:stderr' || ev.type === 'test:stdout') {
      if (process.env.REGLAB_TEST_VERBOSE) yield ev.data.message;
    }
  }
  if (failures.length) yield `\nFailures:\n${failures.join('\n')}\n`;
  yield `tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
}

function indent(s) {
  return s
    .split('\n')
    .map((l) => '      ' + l)
    .join('\n');
}
