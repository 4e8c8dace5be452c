// Fails fast, with the command to use instead, when the workspace runs on a Node older
// than its floor. pnpm only warns about `engines`, and the suite would then fail in ways
// that don't name the cause.
const floor = 22;
const major = Number(process.versions.node.split('.')[0]);
if (major < floor) {
  const script = process.argv[2] ?? 'test';
  console.error(
    `skein needs Node >= ${floor}; this is ${process.version}.\n` +
      `Run it on Node 24 without installing anything:\n` +
      `  npx -y -p node@24 -p pnpm@10 -c 'pnpm install && pnpm ${script}'`,
  );
  process.exit(1);
}
