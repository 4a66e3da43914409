/**
 * Secrets in connector configs (docs/security.md, "Secrets"): which keys hold one, how the REST answers show them
 * (`[hidden]`), and how a `[hidden]` sent back by a get-edit-put client keeps the stored value.
 *
 * A key of a connector config is secret when
 *  1. the connector's ConfigDef (framework keys included) says so: type PASSWORD, a key defined `sensitive`, or a
 *     name matching one of its `sensitive(...)` patterns;
 *  2. it is `key.converter.<k>` / `value.converter.<k>` / `header.converter.<k>` and `<k>` is secret (as in 1) in the
 *     ConfigDef of the converter the connector uses (its own `*.converter`, else the worker's);
 *  3. it is `transforms.<alias>.<k>` / `predicates.<alias>.<k>` and `<k>` is secret in that plugin's ConfigDef;
 *  4. it is `producer.override.<k>` / `consumer.override.<k>` / `admin.override.<k>` and `<k>` is one of the Java
 *     Kafka clients' PASSWORD keys ({@link KAFKA_CLIENT_PASSWORD_KEYS}).
 * Its value is shown as `[hidden]` unless it is written with a config provider placeholder (`${file:…}`): that is a
 * reference, not the secret, and is shown as written. Task configs hide the values of the connector's secret keys and
 * any value equal to one of the connector's secret values (a task may copy one under another name). Status traces,
 * validation errors and error answers have the connector's secret values replaced by `[hidden]` (values of 8
 * characters or more that no key that is not secret also holds: shorter ones would hide ordinary words).
 */
import { type ConfigDef, Password, type PluginDescriptor, type PluginType } from '@kconnect/api';
import { hasPlaceholder } from '../config/config-providers';
import type { WorkerConfig } from '../config/worker-config';
import type { PluginRegistry } from '../plugins/registry';
import type { ConfigInfos, ConnectorInfo, ConnectorStateInfo, StatusEntry } from './types';
import { frameworkConfig } from './validation';

export const HIDDEN = Password.HIDDEN;

/** The PASSWORD keys of Java's producer, consumer and admin clients (SslConfigs, SaslConfigs). */
export const KAFKA_CLIENT_PASSWORD_KEYS: ReadonlySet<string> = new Set([
  'sasl.jaas.config',
  'ssl.key.password',
  'ssl.keystore.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
]);

const OVERRIDE_PREFIXES = ['producer.override.', 'consumer.override.', 'admin.override.'];

/** Secret values shorter than this are not searched for in free text (traces, messages): too many false hits. */
const MIN_SCRUB_LENGTH = 8;

/** What the rule needs from the worker (a {@link Worker} has both). */
export interface SecretsContext {
  readonly registry: PluginRegistry;
  readonly config: WorkerConfig;
}

export class SecretMasker {
  /** ConfigDefs by plugin class and version: plugins are instantiated once for this. */
  private readonly defs = new Map<string, ConfigDef | null>();

  /** `visible`: the worker's `rest.secrets.visible` (Java's behaviour: the answers show secrets in clear). */
  constructor(
    private readonly ctx: SecretsContext,
    readonly visible: boolean,
  ) {}

  /** The keys of `config` that hold secrets (the rule above), whatever their values. */
  secretKeys(config: Record<string, string>): Set<string> {
    const out = new Set<string>();
    const connector = this.connectorDef(config);
    const converters = (['key', 'value', 'header'] as const).map((which) => ({
      prefix: `${which}.converter.`,
      def: this.converterDef(config, which),
    }));
    for (const key of Object.keys(config)) {
      if (connector?.isSecret(key)) out.add(key);
      else if (OVERRIDE_PREFIXES.some((p) => key.startsWith(p) && KAFKA_CLIENT_PASSWORD_KEYS.has(key.slice(p.length)))) out.add(key);
      else if (converters.some((c) => key.startsWith(c.prefix) && c.def?.isSecret(key.slice(c.prefix.length)))) out.add(key);
      else {
        const m = /^(transforms|predicates)\.([^.]+)\.(.+)$/.exec(key);
        if (m && m[3] !== 'type') {
          const type = config[`${m[1]}.${m[2]}.type`];
          const def = type ? this.pluginDef(type, [m[1] === 'transforms' ? 'transformation' : 'predicate']) : null;
          if (def?.isSecret(m[3]!)) out.add(key);
        }
      }
    }
    return out;
  }

  /** The keys whose values the answers hide: secret keys not written as placeholders. */
  private hiddenKeys(config: Record<string, string>): string[] {
    return [...this.secretKeys(config)].filter((k) => typeof config[k] === 'string' && !hasPlaceholder(config[k]));
  }

  /** The secret values of a connector config (those shown as `[hidden]`). */
  secretValues(config: Record<string, string>): string[] {
    return [...new Set(this.hiddenKeys(config).map((k) => config[k]!))].filter((v) => v !== '' && v !== HIDDEN);
  }

  /**
   * The values to scrub from free text (traces, messages): the secret values of 8 characters or more, except one
   * that is also the value of a key that is not secret (e.g. a password equal to the user name, shown anyway).
   */
  scrubbable(config: Record<string, string>): string[] {
    return this.unshownSecretValues(config).filter((v) => v.length >= MIN_SCRUB_LENGTH);
  }

  /** The secret values that are not also the value of a key that is not secret. */
  private unshownSecretValues(config: Record<string, string>): string[] {
    const secretKeys = this.secretKeys(config);
    const open = new Set(Object.entries(config).flatMap(([k, v]) => (secretKeys.has(k) ? [] : [v])));
    return this.secretValues(config).filter((v) => !open.has(v));
  }

  /** A connector config as the REST answers show it. */
  config(config: Record<string, string>): Record<string, string> {
    if (this.visible) return config;
    const out = { ...config };
    for (const k of this.hiddenKeys(config)) out[k] = HIDDEN;
    return out;
  }

  info(info: ConnectorInfo): ConnectorInfo {
    return this.visible ? info : { ...info, config: this.config(info.config) };
  }

  /** A task config: the connector's secret keys and any value equal to one of the connector's secrets are hidden. */
  taskConfig(connectorConfig: Record<string, string> | undefined, taskConfig: Record<string, string>): Record<string, string> {
    if (this.visible) return taskConfig;
    const keys = new Set(this.hiddenKeys(taskConfig));
    const values = new Set(connectorConfig ? this.unshownSecretValues(connectorConfig) : []);
    if (connectorConfig) for (const k of this.hiddenKeys(connectorConfig)) keys.add(k);
    const out = { ...taskConfig };
    for (const [k, v] of Object.entries(taskConfig)) if ((keys.has(k) && !hasPlaceholder(v)) || values.has(v)) out[k] = HIDDEN;
    return out;
  }

  /** Text (a trace, an error message) with the given secret values replaced by `[hidden]`. */
  scrub(text: string, secrets: readonly string[]): string {
    if (this.visible) return text;
    let out = text;
    for (const s of secrets) {
      if (s.length < MIN_SCRUB_LENGTH) continue;
      out = out.split(s).join(HIDDEN);
      // As it appears inside JSON (quotes, backslashes escaped).
      const escaped = JSON.stringify(s).slice(1, -1);
      if (escaped !== s) out = out.split(escaped).join(HIDDEN);
    }
    return out;
  }

  private entry<T extends StatusEntry>(e: T, secrets: readonly string[]): T {
    const out = e.trace === undefined ? e : { ...e, trace: this.scrub(e.trace, secrets) };
    // The failure's message repeats the error's (herder/types.ts `failure`).
    return out.failure === undefined ? out : { ...out, failure: { ...out.failure, message: this.scrub(out.failure.message, secrets) } };
  }

  /** A status entry (connector or task) with the connector's secrets scrubbed from its trace. */
  statusEntry<T extends StatusEntry>(connectorConfig: Record<string, string> | undefined, e: T): T {
    return this.visible || !connectorConfig ? e : this.entry(e, this.scrubbable(connectorConfig));
  }

  status(connectorConfig: Record<string, string> | undefined, s: ConnectorStateInfo): ConnectorStateInfo {
    if (this.visible || !connectorConfig) return s;
    const secrets = this.scrubbable(connectorConfig);
    return { ...s, connector: this.entry(s.connector, secrets), tasks: s.tasks.map((t) => this.entry(t, secrets)) };
  }

  /** A validate answer: the submitted secret keys' values hidden (override keys too), secrets scrubbed from errors. */
  validation(submitted: Record<string, string>, infos: ConfigInfos): ConfigInfos {
    if (this.visible) return infos;
    const hidden = new Set(this.hiddenKeys(submitted));
    const secrets = this.scrubbable(submitted);
    return {
      ...infos,
      configs: infos.configs.map((c) => ({
        ...c,
        value: {
          ...c.value,
          value: hidden.has(c.value.name) && c.value.value !== null ? HIDDEN : c.value.value,
          errors: c.value.errors.map((e) => this.scrub(e, secrets)),
        },
      })),
    };
  }

  /**
   * A config sent by PUT (or to validate) with each `[hidden]` value replaced by the stored value, for the keys the
   * stored config hides: a get-edit-put round trip keeps the secrets. Other values are taken as sent.
   */
  restore(submitted: Record<string, string>, stored: Record<string, string> | undefined): Record<string, string> {
    if (!stored || !Object.values(submitted).includes(HIDDEN)) return submitted;
    const hidden = new Set(this.hiddenKeys(stored));
    const out = { ...submitted };
    for (const [k, v] of Object.entries(submitted)) if (v === HIDDEN && hidden.has(k)) out[k] = stored[k]!;
    return out;
  }

  /** A PATCH: a `[hidden]` value for a key the stored config hides means "unchanged", so it is left out. */
  restorePatch(patch: Record<string, string | null>, stored: Record<string, string> | undefined): Record<string, string | null> {
    if (!stored || !Object.values(patch).includes(HIDDEN)) return patch;
    const hidden = new Set(this.hiddenKeys(stored));
    const out = { ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === HIDDEN && hidden.has(k)) delete out[k];
    return out;
  }

  /**
   * A config named in an error message where its connector class is unknown (no ConfigDef says which keys are
   * secret): every value but the name is hidden.
   */
  unknownConfig(config: Record<string, string>): Record<string, string> {
    if (this.visible) return config;
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, k === 'name' ? v : HIDDEN]));
  }

  private connectorDef(config: Record<string, string>): ConfigDef | null {
    const cls = config['connector.class'];
    if (!cls) return null;
    const key = `connector:${cls}:${config['connector.plugin.version'] ?? ''}`;
    if (this.defs.has(key)) return this.defs.get(key)!;
    let def: ConfigDef | null = null;
    try {
      let d: PluginDescriptor | undefined;
      try {
        d = this.ctx.registry.resolveVersion(cls, ['source', 'sink'], config['connector.plugin.version']);
      } catch {
        d = this.ctx.registry.resolve(cls, ['source', 'sink']);
      }
      if (d) def = frameworkConfig(d.type as 'source' | 'sink').merge(d.create().config());
    } catch {
      def = null; // a plugin that cannot be instantiated has no secrets we can name
    }
    this.defs.set(key, def);
    return def;
  }

  private converterDef(config: Record<string, string>, which: 'key' | 'value' | 'header'): ConfigDef | null {
    const workerDefault = { key: this.ctx.config.keyConverter, value: this.ctx.config.valueConverter, header: this.ctx.config.headerConverter }[which];
    const cls = config[`${which}.converter`] ?? workerDefault;
    if (!cls) return null;
    return this.pluginDef(cls, [which === 'header' ? 'header_converter' : 'converter']);
  }

  private pluginDef(cls: string, types: PluginType[]): ConfigDef | null {
    const key = `${types.join('|')}:${cls}`;
    if (this.defs.has(key)) return this.defs.get(key)!;
    let def: ConfigDef | null = null;
    try {
      def = this.ctx.registry.resolve(cls, types)?.create().config() ?? null;
    } catch {
      def = null;
    }
    this.defs.set(key, def);
    return def;
  }
}
