/** The largest root disk the API takes, in GiB (EC2's largest gp3 volume). */
export const MAX_ROOT_GIB = 16384;

/** The smallest root disk an image allows: its virtual size, rounded up to whole GiB (at least 1). */
export function minRootGib(virtualSizeBytes: number | undefined): number {
  return Math.max(1, Math.ceil((virtualSizeBytes ?? 0) / 2 ** 30));
}

/** Whether a root disk size typed into the wizard can be sent: empty (the image's size) or a whole number in range. */
export function rootGibValid(text: string, minGib: number): boolean {
  if (text.trim() === '') return true;
  const n = Number(text);
  return Number.isInteger(n) && n >= minGib && n <= MAX_ROOT_GIB;
}
