/**
 * Connector config validation (Java's AbstractHerder.validateConnectorConfig): the framework's keys for the
 * connector's type, the converter/transform/predicate classes, the sink topic rules, the Kafka client overrides
 * (`producer.override.*` etc.: the worker's override policy and the values) and the connector's own `validate()`,
 * merged into one ConfigInfos.
 */
import {
  ConfigDef,
  type ConfigKey,
  type ConfigKeyInfo,
  ConfigType,
  type ConfigValue,
  type Connector,
  convertToString,
  Importance,
  toConfigKeyInfo,
  Width,
} from '@kconnect/api';
import {
  CLIENT_OVERRIDE_PREFIXES,
  type ClientConfigOverridePolicy,
  clientsUsedBy,
  type KafkaClientType,
  overridePolicyError,
} from '../config/client-override-policy';
import { type ConfigTransformer, hasPlaceholder } from '../config/config-providers';
import { CONNECTOR_CONFIG, SINK_CONNECTOR_CONFIG, SOURCE_CONNECTOR_CONFIG, sinkTopicErrors } from '../config/connector-config';
import { withPrefix } from '../config/properties';
import {
  CONSUMER_SETTING_DEFS,
  consumerSettingErrors,
  type KafkaSettingDef,
  type KafkaSettingError,
  PRODUCER_SETTING_DEFS,
  producerSettingErrors,
  SECURITY_SETTING_DEFS,
  securitySettingErrors,
} from '../kafka/settings';
import type { PluginRegistry } from '../plugins/registry';
import { badRequest } from '../rest/errors';
import type { ConfigInfos } from './types';

export function frameworkConfig(type: 'source' | 'sink' | undefined): ConfigDef {
  return type === 'sink' ? SINK_CONNECTOR_CONFIG : type === 'source' ? SOURCE_CONNECTOR_CONFIG : CONNECTOR_CONFIG;
}

/** The worker settings that client override validation needs (a {@link WorkerConfig} has them). */
export interface ClientOverrideContext {
  readonly clientConfigOverridePolicy: ClientConfigOverridePolicy;
  readonly clientConfigOverrideAllowlist: readonly string[];
  /** The worker's `producer.*` / `consumer.*` settings, prefix removed (no `admin.*` key is read yet). */
  readonly producer: Record<string, string>;
  readonly consumer: Record<string, string>;
}

// Every client reads the security keys (security.protocol, sasl.*, ssl.*: docs/kafka-client.md); admin clients only those.
const SETTING_DEFS: Partial<Record<KafkaClientType, readonly KafkaSettingDef[]>> = {
  producer: [...PRODUCER_SETTING_DEFS, ...SECURITY_SETTING_DEFS],
  consumer: [...CONSUMER_SETTING_DEFS, ...SECURITY_SETTING_DEFS],
  admin: SECURITY_SETTING_DEFS,
};
const SETTING_ERRORS: Partial<Record<KafkaClientType, (raw: Record<string, string>) => KafkaSettingError[]>> = {
  producer: producerSettingErrors,
  consumer: consumerSettingErrors,
  admin: securitySettingErrors,
};

/** Java's ConfigKeyInfo of a client key under its override prefix (AbstractHerder.convertConfigKey with a prefix). */
function overrideKeyInfo(prefix: string, def: KafkaSettingDef): ConfigKeyInfo {
  return {
    name: prefix + def.key,
    type: ConfigType[def.type],
    required: false,
    default_value: def.default,
    importance: Importance.LOW,
    documentation: def.documentation,
    group: null,
    order: -1,
    width: Width.NONE,
    display_name: def.key,
    dependents: [],
  };
}

/**
 * Java's AbstractHerder.validateClientOverrides for the clients a connector uses: one value per override key
 * (named by the full key), with the policy's error when the worker's policy does not allow it, and (kconnect)
 * the errors of the worker's settings merged with the overrides, on the override key at fault.
 */
export function validateClientOverrides(
  type: 'source' | 'sink',
  config: Record<string, string>,
  ctx: ClientOverrideContext,
): Array<{ value: ConfigValue; definition: ConfigKeyInfo | null }> {
  const out: Array<{ value: ConfigValue; definition: ConfigKeyInfo | null }> = [];
  for (const client of clientsUsedBy(type, config)) {
    const prefix = CLIENT_OVERRIDE_PREFIXES[client];
    const overrides = withPrefix(config, prefix);
    const byKey = new Map<string, ConfigValue>();
    for (const [key, value] of Object.entries(overrides)) {
      const policyError = overridePolicyError(ctx.clientConfigOverridePolicy, ctx.clientConfigOverrideAllowlist, key);
      const v: ConfigValue = { name: prefix + key, value, recommendedValues: [], errors: policyError ? [policyError] : [], visible: true };
      byKey.set(key, v);
      const def = SETTING_DEFS[client]?.find((d) => d.key === key);
      out.push({ value: v, definition: def ? overrideKeyInfo(prefix, def) : null });
    }
    const settingErrors = SETTING_ERRORS[client];
    if (!settingErrors || byKey.size === 0) continue;
    const worker = client === 'producer' ? ctx.producer : client === 'consumer' ? ctx.consumer : {};
    for (const e of settingErrors({ ...worker, ...overrides })) {
      // On the first override key involved; a problem of the worker's settings alone failed the worker's start.
      const at = e.settingKeys.find((k) => byKey.has(k));
      if (at === undefined) continue;
      const named = e.renamed((k) => (Object.hasOwn(overrides, k) ? prefix : `${client}.`) + k);
      byKey.get(at)!.errors.push(named.message);
    }
  }
  return out;
}

export async function validateConnectorConfig(
  registry: PluginRegistry,
  rawConfig: Record<string, string>,
  newConnector: (cls: string) => { instance: Connector; type: 'source' | 'sink'; className: string },
  clients: ClientOverrideContext,
  /** The worker's config providers: as Java, the config is validated with its placeholders resolved. */
  transformer?: ConfigTransformer,
): Promise<ConfigInfos> {
  // Leniently: a placeholder that cannot be resolved now stays as written (the connector fails when it starts).
  const config = transformer ? transformer.transform(rawConfig, { mode: 'lenient', what: 'connector config' }) : rawConfig;
  const cls = config['connector.class'];
  if (!cls) throw badRequest(`Connector config ${JSON.stringify(config)} contains no connector type`);
  // An unknown class is the user's 400 (Worker.newConnector throws a ConfigError, as Java 4.1 answers).
  const { instance, type } = newConnector(cls);
  const framework = frameworkConfig(type);
  const own = instance.config();

  const values = new Map<string, ConfigValue>();
  for (const v of framework.validate(config)) values.set(v.name, v);
  for (const v of await instance.validate(config)) values.set(v.name, v);
  const extraErrors = (name: string, errs: string[]) => {
    const v = values.get(name) ?? { name, value: config[name] ?? null, recommendedValues: [], errors: [], visible: true };
    v.errors.push(...errs);
    values.set(name, v);
  };
  if (type === 'sink') for (const [k, errs] of Object.entries(sinkTopicErrors(config))) extraErrors(k, errs);
  for (const which of ['key', 'value'] as const) {
    const c = config[`${which}.converter`];
    if (c && !registry.resolve(c, ['converter']))
      extraErrors(`${which}.converter`, [`Invalid value ${c} for configuration ${which}.converter: Class ${c} could not be found.`]);
  }
  const hc = config['header.converter'];
  if (hc && !registry.resolve(hc, ['header_converter']))
    extraErrors('header.converter', [`Invalid value ${hc} for configuration header.converter: Class ${hc} could not be found.`]);
  const aliases = (kind: 'transforms' | 'predicates') => aliasesOf(config, kind);
  // Java's ConnectorConfig.enrich: each alias's `type` and the plugin's own keys (for transformations also the
  // implicit `predicate` and `negate`) under `<kind>.<alias>.`, in the group `Transforms: <alias>` / `Predicates: <alias>`.
  let enriched = new ConfigDef();
  for (const kind of ['transforms', 'predicates'] as const) {
    const pluginType = kind === 'transforms' ? 'transformation' : 'predicate';
    for (const alias of aliases(kind)) {
      const key = `${kind}.${alias}.type`;
      const prefix = `${kind}.${alias}.`;
      const group = `${kind === 'transforms' ? 'Transforms' : 'Predicates'}: ${alias}`;
      enriched = enriched.define({
        name: key,
        type: ConfigType.CLASS,
        importance: Importance.HIGH,
        documentation: `Class for the '${alias}' ${pluginType}.`,
        group,
        orderInGroup: 0,
        width: Width.LONG,
        displayName: `${kind === 'transforms' ? 'Transformation' : 'Predicate'} type for ${alias}`,
      });
      const t = config[key];
      // As Java's recommender: every installed plugin of the kind.
      const installed = [...new Set(registry.list([pluginType]).map((d) => d.className))].sort();
      if (!values.has(key)) values.set(key, { name: key, value: t ?? null, recommendedValues: installed, errors: [], visible: true });
      // KIP-891: the alias's plugin version (its value and recommended versions are filled in by the herder).
      const versionKey = `${prefix}plugin.version`;
      enriched = enriched.define({
        name: versionKey,
        type: ConfigType.STRING,
        default: null,
        importance: Importance.HIGH,
        documentation: `Version of the '${alias}' ${pluginType}.`,
        group,
        orderInGroup: 1,
        width: Width.LONG,
        displayName: `${kind === 'transforms' ? 'Transformation' : 'Predicate'} version for ${alias}`,
      });
      if (!values.has(versionKey))
        values.set(versionKey, { name: versionKey, value: config[versionKey] ?? null, recommendedValues: [], errors: [], visible: true });
      if (!t) extraErrors(key, [`Missing required configuration "${key}" which has no default value.`]);
      else if (!registry.resolve(t, [pluginType])) extraErrors(key, [`Invalid value ${t} for configuration ${key}: Class ${t} could not be found.`]);
      else {
        if (kind === 'transforms' && config[`${prefix}negate`] !== undefined && config[`${prefix}predicate`] === undefined)
          extraErrors(key, [`Config '${prefix}negate' was provided but there is no config '${prefix}predicate' defining a predicate to be negated.`]);
        let own = registry.resolve(t, [pluginType])!.create().config();
        if (kind === 'transforms')
          own = TRANSFORMATION_IMPLICIT_CONFIG.merge(new ConfigDef(own.configKeys().filter((k) => k.name !== 'predicate' && k.name !== 'negate')));
        const sub: Record<string, string> = {};
        for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix)) sub[k.slice(prefix.length)] = v;
        let order = 2;
        for (const k of [...own.configKeys()].sort(javaKeyOrder)) {
          enriched = enriched.define({
            ...k,
            name: prefix + k.name,
            default: k.hasDefault ? k.defaultValue : undefined,
            group,
            orderInGroup: order++,
            dependents: k.dependents.map((d) => prefix + d),
            validator: undefined,
            recommendedValues: [...k.recommendedValues],
          });
        }
        for (const v of own.validate(sub)) {
          if (!values.has(prefix + v.name)) values.set(prefix + v.name, { ...v, name: prefix + v.name, errors: [] });
          if (v.errors.length) extraErrors(prefix + v.name, v.errors);
        }
      }
    }
  }
  for (const alias of aliases('transforms')) {
    const p = config[`transforms.${alias}.predicate`];
    if (p && !aliases('predicates').includes(p))
      extraErrors(`transforms.${alias}.predicate`, [
        `Invalid value ${p} for configuration transforms.${alias}.predicate: the predicate alias is not listed in 'predicates'`,
      ]);
  }

  const overrideDefinitions = new Map<string, ConfigKeyInfo>();
  for (const { value, definition } of validateClientOverrides(type, config, clients)) {
    const known = values.get(value.name);
    if (known) known.errors.push(...value.errors);
    else values.set(value.name, value);
    if (definition) overrideDefinitions.set(value.name, definition);
  }

  const merged = framework.merge(own).merge(enriched);
  const configs: ConfigInfos['configs'] = [];
  let errorCount = 0;
  for (const v of values.values()) {
    const key = merged.key(v.name);
    errorCount += v.errors.length;
    const definition = key
      ? toConfigKeyInfo(key)
      : (overrideDefinitions.get(v.name) ?? {
          name: v.name,
          type: 'STRING' as never,
          required: false,
          default_value: null,
          importance: 'LOW' as never,
          documentation: '',
          group: null,
          order: -1,
          width: 'NONE' as never,
          display_name: v.name,
          dependents: [],
        });
    // Unlike Java, a value given as a placeholder is shown as written, never resolved (secrets stay out of answers).
    const shownRaw = hasPlaceholder(rawConfig[v.name]);
    configs.push({
      definition,
      value: {
        name: v.name,
        value: shownRaw ? rawConfig[v.name]! : key ? convertToString(v.value, key.type) : (v.value as string | null),
        recommended_values: v.recommendedValues,
        errors: v.errors,
        visible: v.visible,
      },
    });
  }
  // As Java: the result is named after `connector.class` as it was sent (an alias stays an alias).
  return { name: rawConfig['connector.class']!, error_count: errorCount, groups: merged.groups(), configs };
}

/** The keys every transformation has (Java's `TransformationStage.PREDICATE_CONFIG` and `NEGATE_CONFIG`). */
const TRANSFORMATION_IMPLICIT_CONFIG = new ConfigDef()
  .define({
    name: 'predicate',
    type: ConfigType.STRING,
    default: null,
    importance: Importance.MEDIUM,
    documentation: 'The alias of a predicate used to determine whether to apply this transformation.',
  })
  .define({
    name: 'negate',
    type: ConfigType.BOOLEAN,
    default: false,
    importance: Importance.MEDIUM,
    documentation: 'Whether the configured predicate should be negated.',
  });

const IMPORTANCE_ORDER = [Importance.HIGH, Importance.MEDIUM, Importance.LOW];

/** Java's `ConfigDef.sortedConfigs` order of ungrouped keys: required first, then by importance, then by name. */
function javaKeyOrder(a: ConfigKey, b: ConfigKey): number {
  if (a.hasDefault !== b.hasDefault) return a.hasDefault ? 1 : -1;
  const byImportance = IMPORTANCE_ORDER.indexOf(a.importance) - IMPORTANCE_ORDER.indexOf(b.importance);
  return byImportance !== 0 ? byImportance : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The aliases a connector config lists in `transforms` or `predicates`. */
export function aliasesOf(config: Record<string, string>, kind: 'transforms' | 'predicates'): string[] {
  return (config[kind] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const NULL_VALUE_ERROR = 'Null value can not be supplied as the configuration value.';

/**
 * As Java's herder: keys sent with a null value get an error (on their entry, or on a new entry without a
 * definition for a key nothing defines), counted in `error_count`. The config was validated without them.
 */
export function withNullValues(infos: ConfigInfos, keys: readonly string[]): ConfigInfos {
  if (keys.length === 0) return infos;
  const configs = [...infos.configs];
  for (const name of keys) {
    const i = configs.findIndex((c) => c.value.name === name);
    if (i >= 0) configs[i] = { ...configs[i]!, value: { ...configs[i]!.value, value: null, errors: [...configs[i]!.value.errors, NULL_VALUE_ERROR] } };
    else configs.push({ definition: null, value: { name, value: null, recommended_values: [], errors: [NULL_VALUE_ERROR], visible: true } });
  }
  return { ...infos, configs, error_count: infos.error_count + keys.length };
}

/** Connect's message for a config rejected at create/update time. */
export function invalidConfigMessage(infos: ConfigInfos): string {
  const errors = infos.configs.flatMap((c) => c.value.errors.map((e) => e));
  return `Connector configuration is invalid and contains the following ${errors.length} error(s):\n${errors.join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``;
}
