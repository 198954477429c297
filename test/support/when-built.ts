/**
 * A Lambda handler whose parts are built asynchronously (the sinks: `sinksFromConfig` imports a
 * destination's code only when it is on), usable at once, as the bundle's top-level await is.
 */
export function whenBuilt<H extends (...args: never[]) => Promise<unknown>>(built: Promise<H>): H {
  return ((...args: Parameters<H>) => built.then((handler) => handler(...args))) as H;
}
