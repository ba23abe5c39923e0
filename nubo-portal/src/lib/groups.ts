// The instance page's group editor keeps the chosen group IDs as a list; these say what a checkbox does to it.

/** The chosen IDs with {@code id} checked or unchecked; the order of the others is kept, a newly checked one goes last. */
export function toggleGroup(chosen: string[], id: string, on: boolean): string[] {
  const rest = chosen.filter((x) => x !== id);
  return on ? [...rest, id] : rest;
}

/** Whether two choices name the same groups, whatever their order (the Save button has nothing to send when they do). */
export function sameGroups(a: string[], b: string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((id) => y.has(id));
}
