/**
 * Injected at the start of each Lambda bundle (esbuild `inject`). At bundle time esbuild `define`
 * replaces the literal expression `process.env.LICENSE_STEWARD_CONFIG` with the validated
 * configuration (JSON text); this prelude also stores that text in `process.env`, so the
 * configuration is found however it is read (`process.env.X`, `env[CONFIG_ENV]`, ...). Nothing
 * here runs outside a bundle.
 */
const inlined: string | undefined = process.env.LICENSE_STEWARD_CONFIG;
if (inlined !== undefined) Reflect.set(process.env, 'LICENSE_STEWARD_CONFIG', inlined);
