/** The `converter.type` key every Java converter config has (Java's `ConverterConfig`), and helpers around it. */
import { ConfigDef, ConfigType, DataError, Importance, Validators } from '@kconnect/api';

/** Java's `ConverterConfig.TYPE_CONFIG`. */
export const CONVERTER_TYPE_CONFIG = 'converter.type';

/** A ConfigDef holding only `converter.type` (required; `key`, `value` or `header`), as Java's `newConfigDef()`. */
export function newConverterConfigDef() {
  return new ConfigDef().define({
    name: CONVERTER_TYPE_CONFIG,
    type: ConfigType.STRING,
    importance: Importance.LOW,
    documentation: 'How this converter will be used.',
    validator: Validators.in(['key', 'value', 'header']),
  });
}

/**
 * The settings with `converter.type` filled in as Java does: from `isKey` when the converter is configured as a
 * key/value converter, else (header converters) as given, defaulting to `header`.
 */
export function withConverterType(configs: Record<string, string>, isKey: boolean | undefined): Record<string, string> {
  const type = isKey === undefined ? (configs[CONVERTER_TYPE_CONFIG] ?? 'header') : isKey ? 'key' : 'value';
  return { ...configs, [CONVERTER_TYPE_CONFIG]: type };
}

/** A Java-style message with its cause's message appended, for errors Java reports as "message: " + cause. */
export function dataError(message: string, cause: unknown): DataError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new DataError(message + why, { cause });
}
