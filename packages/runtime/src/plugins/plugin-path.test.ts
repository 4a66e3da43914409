import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PluginRegistry } from './registry';

describe('plugin.path', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'plugin-path-'));

  it('loads every plugin package in the folder and resolves its class names', () => {
    const pkg = path.join(root, 'my-connector');
    mkdirSync(pkg);
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'my-connector', main: 'index.js' }));
    writeFileSync(
      path.join(pkg, 'index.js'),
      "exports.plugins = [{ className: 'com.example.MySinkConnector', type: 'sink', version: '2.0', create: () => ({}) }];",
    );
    writeFileSync(path.join(root, 'README.txt'), 'not a plugin');
    const reg = new PluginRegistry();
    expect(reg.loadPluginPath([root])).toEqual([pkg]);
    expect(reg.resolve('MySink', ['sink'])?.version).toBe('2.0');
  });

  it('says what is wrong with a folder that is not a plugin package', () => {
    const bad = path.join(root, 'bad');
    mkdirSync(path.join(bad, 'pkg'), { recursive: true });
    writeFileSync(path.join(bad, 'pkg', 'package.json'), JSON.stringify({ name: 'pkg', main: 'index.js' }));
    writeFileSync(path.join(bad, 'pkg', 'index.js'), 'exports.nothing = 1;');
    expect(() => new PluginRegistry().loadPluginPath([bad])).toThrow("Plugin package pkg does not export 'plugins'");
    expect(() => new PluginRegistry().loadPluginPath([path.join(root, 'missing')])).toThrow(/plugin.path folder .* does not exist/);
  });
});
