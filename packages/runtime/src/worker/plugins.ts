/**
 * Instantiates and configures the plugins a task uses from its connector config and the worker config:
 * converters (connector setting, else worker setting, each with its own prefixed sub-settings) and the
 * transformation chain with predicates.
 */
import { ConfigError, type ConnectRecord, type Converter, type HeaderConverter, type Predicate, type Transformation } from '@kconnect/api';
import { withPrefix } from '../config/properties';
import type { WorkerConfig } from '../config/worker-config';
import type { PluginRegistry } from '../plugins/registry';

export interface TaskConverters {
  key: Converter;
  value: Converter;
  header: HeaderConverter;
  keyClass: string;
  valueClass: string;
  headerClass: string;
}

function converterSettings(
  which: 'key' | 'value' | 'header',
  connector: Record<string, string>,
  worker: WorkerConfig,
): { cls: string; props: Record<string, string> } {
  const key = `${which}.converter`;
  if (connector[key]) return { cls: connector[key]!, props: withPrefix(connector, `${key}.`) };
  const cls = which === 'key' ? worker.keyConverter : which === 'value' ? worker.valueConverter : worker.headerConverter;
  return { cls, props: withPrefix(worker.props, `${key}.`) };
}

export function createConverters(registry: PluginRegistry, connector: Record<string, string>, worker: WorkerConfig): TaskConverters {
  const make = (which: 'key' | 'value') => {
    const { cls, props } = converterSettings(which, connector, worker);
    const d = registry.resolve(cls, ['converter']);
    if (!d)
      throw new ConfigError(`Invalid value ${cls} for configuration ${which}.converter: Class ${cls} could not be found.`, { name: `${which}.converter` });
    const c = d.create();
    c.configure(props, which === 'key');
    return { c, cls: d.className };
  };
  const key = make('key');
  const value = make('value');
  const { cls, props } = converterSettings('header', connector, worker);
  const hd = registry.resolve(cls, ['header_converter']);
  if (!hd) throw new ConfigError(`Invalid value ${cls} for configuration header.converter: Class ${cls} could not be found.`, { name: 'header.converter' });
  const header = hd.create();
  header.configure(props);
  return { key: key.c, value: value.c, header, keyClass: key.cls, valueClass: value.cls, headerClass: hd.className };
}

export interface TransformStep<R extends ConnectRecord> {
  alias: string;
  className: string;
  transform: Transformation<R>;
  predicate: Predicate<R> | null;
  negate: boolean;
}

/** The connector's `transforms`, in order, each with its optional predicate. */
export function createTransformChain<R extends ConnectRecord>(registry: PluginRegistry, connector: Record<string, string>): TransformStep<R>[] {
  const aliases = (connector.transforms ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const predicates = new Map<string, Predicate<R>>();
  for (const p of (connector.predicates ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const type = connector[`predicates.${p}.type`];
    const d = type ? registry.resolve(type, ['predicate']) : undefined;
    if (!d)
      throw new ConfigError(`Invalid value ${type ?? 'null'} for configuration predicates.${p}.type: Class ${type ?? 'null'} could not be found.`, {
        name: `predicates.${p}.type`,
      });
    const pred = d.create() as unknown as Predicate<R>;
    pred.configure(withPrefix(connector, `predicates.${p}.`));
    predicates.set(p, pred);
  }
  return aliases.map((alias) => {
    const type = connector[`transforms.${alias}.type`];
    const d = type ? registry.resolve(type, ['transformation']) : undefined;
    if (!d)
      throw new ConfigError(`Invalid value ${type ?? 'null'} for configuration transforms.${alias}.type: Class ${type ?? 'null'} could not be found.`, {
        name: `transforms.${alias}.type`,
      });
    const transform = d.create() as unknown as Transformation<R>;
    transform.configure(withPrefix(connector, `transforms.${alias}.`));
    const predName = connector[`transforms.${alias}.predicate`];
    let predicate: Predicate<R> | null = null;
    if (predName) {
      predicate = predicates.get(predName) ?? null;
      if (!predicate)
        throw new ConfigError(`Invalid value ${predName} for configuration transforms.${alias}.predicate: no predicate with that alias in 'predicates'`, {
          name: `transforms.${alias}.predicate`,
        });
    }
    return { alias, className: d.className, transform, predicate, negate: connector[`transforms.${alias}.negate`] === 'true' };
  });
}
