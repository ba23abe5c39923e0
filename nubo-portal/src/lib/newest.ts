// Answers that arrive out of order: a reload started by an event can overtake an earlier one on a
// busy server, and the earlier, staler answer must then not overwrite the newer one.

/**
 * Hands out tickets for successive loads; a ticket is current only while no later one was taken.
 * Deliver a load's answer only when its ticket is still current.
 */
export function newestOnly(): () => () => boolean {
  let latest = 0;
  return () => {
    const mine = ++latest;
    return () => mine === latest;
  };
}
