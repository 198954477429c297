/**
 * The parts of a Butler config file (`Butler:` top-level key, Butler 13-16) that the importer
 * reads. Loose: Butler's other settings (reload alerts, MQTT, the REST API...) pass through
 * unread, and a missing license block is simply absent. Values are checked only as far as the
 * mapping needs them, so a problem names Butler's own key.
 */
import { z } from 'zod';

const text = z.string().trim().min(1, 'must not be empty');

/** Butler's YAML sometimes quotes numbers (`port: '4242'`). */
const wholeNumber = z.union(
  [
    z.number().int(),
    z
      .string()
      .trim()
      .regex(/^\d+$/)
      .transform((value) => Number(value)),
  ],
  { error: 'must be a whole number' },
);
const days = wholeNumber.pipe(z.number().min(1, 'must be at least 1 day'));

/** A YAML key left empty (`tag:`) is null: treat it as an empty list. */
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((items) => items ?? []);

const nameValue = z.looseObject({
  name: z.union([z.string(), z.number()]).transform(String),
  value: z.union([z.string(), z.number(), z.boolean()]).transform(String),
});
export type ButlerTag = z.infer<typeof nameValue>;

const staticTags = z
  .looseObject({ static: list(nameValue) })
  .nullish()
  .transform((tag) => tag?.static ?? []);

/** `destination.influxDb` of one license job. */
const jobDestination = z
  .looseObject({
    influxDb: z
      .looseObject({ enable: z.boolean().default(false), tag: staticTags })
      .nullish()
      .transform((influx) => influx ?? { enable: false, tag: [] }),
    mqtt: z.looseObject({ enable: z.boolean().default(false) }).nullish(),
    webhook: z.looseObject({ enable: z.boolean().default(false) }).nullish(),
  })
  .nullish();

const frequency = z.string().trim().min(1).optional();

const serverLicenseMonitor = z.looseObject({
  enable: z.boolean().default(false),
  frequency,
  alert: z.looseObject({ thresholdDays: days.optional() }).nullish(),
  destination: jobDestination,
});

const licenseMonitor = z.looseObject({
  enable: z.boolean().default(false),
  frequency,
  destination: jobDestination,
});

/** Butler writes Yes/No/Ignore in any case; YAML booleans are taken as Yes/No. */
const flag = z
  .union([z.string(), z.boolean()])
  .nullish()
  .transform((value, context) => {
    if (value === true) return 'Yes' as const;
    if (value === false) return 'No' as const;
    const lower = (value ?? 'ignore').trim().toLowerCase();
    if (lower === 'yes') return 'Yes' as const;
    if (lower === 'no') return 'No' as const;
    if (lower === 'ignore') return 'Ignore' as const;
    context.addIssue({ code: 'custom', message: 'must be Yes, No or Ignore' });
    return z.NEVER;
  });

const licenseTypeRule = z
  .looseObject({ enable: z.boolean().default(false), releaseThresholdDays: days.optional() })
  .nullish();

const licenseRelease = z.looseObject({
  enable: z.boolean().default(false),
  dryRun: z.boolean().optional(),
  frequency,
  neverRelease: z
    .looseObject({
      user: list(z.looseObject({ userDir: text, userId: text })),
      tag: list(z.union([z.string(), z.number()]).transform(String)),
      customProperty: list(
        z.looseObject({
          name: text,
          value: z.union([z.string(), z.number(), z.boolean()]).transform(String),
        }),
      ),
      userDirectory: list(text),
      inactive: flag,
      blocked: flag,
      removedExternally: flag,
    })
    .nullish(),
  licenseType: z
    .looseObject({ analyzer: licenseTypeRule, professional: licenseTypeRule })
    .nullish(),
  destination: jobDestination,
});

/** InfluxDB 1's login, database and retention policy: in `v1Config`, or (older Butler) at the top. */
const influxV1Settings = {
  auth: z
    .looseObject({
      enable: z.boolean().default(false),
      username: z.string().nullish(),
      password: z.unknown(),
    })
    .nullish(),
  dbName: text.optional(),
  retentionPolicy: z.looseObject({ name: text.optional() }).nullish(),
};

const influxDb = z.looseObject({
  enable: z.boolean().default(false),
  hostIP: text.optional(),
  hostPort: wholeNumber.default(8086),
  /** Butler 16; earlier versions wrote InfluxDB 1 only, with the v1 keys at this level. */
  version: wholeNumber.optional(),
  ...influxV1Settings,
  /** Butler 11 and earlier: an instance tag on every point. */
  instanceTag: z.union([z.string(), z.number()]).transform(String).optional(),
  v1Config: z.looseObject(influxV1Settings).nullish(),
  v2Config: z
    .looseObject({ org: text.optional(), bucket: text.optional(), token: z.unknown() })
    .nullish(),
  v3Config: z
    .looseObject({
      database: text.optional(),
      token: z.unknown(),
      writeTimeout: wholeNumber.optional(),
    })
    .nullish(),
  tag: staticTags,
});
export type ButlerInfluxDb = z.infer<typeof influxDb>;

const configQrs = z.looseObject({
  authentication: z.string().optional(),
  host: text,
  port: wholeNumber.default(4242),
  useSSL: z.boolean().optional(),
  headers: z.looseObject({ static: list(nameValue) }).nullish(),
  /** Butler 11 and earlier: the header as two keys. */
  headerKey: z.string().optional(),
  headerValue: z.string().optional(),
  rejectUnauthorized: z.union([z.boolean(), z.string()]).optional(),
});
export type ButlerQrs = z.infer<typeof configQrs>;

export const butlerFileSchema = z.looseObject({
  Butler: z.looseObject({
    configQRS: configQrs,
    cert: z.looseObject({ clientCert: text, clientCertKey: text, clientCertCA: text }),
    influxDb: influxDb.nullish(),
    qlikSenseLicense: z
      .looseObject({
        serverLicenseMonitor: serverLicenseMonitor.nullish(),
        licenseMonitor: licenseMonitor.nullish(),
        licenseRelease: licenseRelease.nullish(),
      })
      .nullish(),
  }),
});
export type ButlerFile = z.infer<typeof butlerFileSchema>;
export type Butler = ButlerFile['Butler'];
export type ButlerLicense = NonNullable<Butler['qlikSenseLicense']>;
export type ButlerRelease = NonNullable<ButlerLicense['licenseRelease']>;
