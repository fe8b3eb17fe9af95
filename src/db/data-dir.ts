// The embedded database's folder holds every row of every company (and the demo
// admin key, the embedded token secret): only the account running Yardstick may
// read or write it. PGlite restores its initial cluster with mode 0666 whatever
// the umask, so the modes are tightened after opening too, not only at creation.
import { chmod, lstat, mkdir, readdir } from "node:fs/promises";
import path from "node:path";

/**
 * Before opening: files this process creates from now on get no group/other bits
 * (umask 077: the process writes nothing meant for other accounts), and the folder
 * exists as 0700.
 */
export async function prepareDataDir(dir: string): Promise<void> {
  process.umask(0o077);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** After opening: every file and folder under `dir` loses its group/other bits (0666 → 0600, 0755 → 0700). */
export async function tightenDataDir(dir: string): Promise<number> {
  let changed = 0;
  const visit = async (p: string): Promise<void> => {
    const st = await lstat(p).catch(() => null);
    if (!st || st.isSymbolicLink()) return;
    if (st.mode & 0o077) {
      await chmod(p, st.mode & 0o7700).catch(() => undefined);
      changed++;
    }
    if (st.isDirectory()) {
      for (const name of await readdir(p).catch(() => [] as string[])) await visit(path.join(p, name));
    }
  };
  await visit(dir);
  return changed;
}
