// A node:test reporter: each test file's total time, "<ms> <file>" per line. `cargo xtask e2e`
// records them (target/e2e/file-times.txt) and starts the longest files first next time, so
// that a long file does not start last (xtask/src/times.rs).
export default async function* fileTimes(source) {
  const ms = new Map();
  for await (const event of source) {
    const done = event.type === 'test:pass' || event.type === 'test:fail';
    if (done && event.data.nesting === 0 && event.data.file) {
      ms.set(event.data.file, (ms.get(event.data.file) ?? 0) + event.data.details.duration_ms);
    }
  }
  for (const [file, t] of ms) yield `${Math.round(t)} ${file}\n`;
}
