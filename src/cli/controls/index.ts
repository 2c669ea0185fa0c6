import type { Command, CommandSpec } from '../command.js';
import { diagnostic, EXIT, PalisadeError } from '../../core/errors.js';
import { allControls } from '../../controls/registry.js';
import { builtinFrameworks } from '../../frameworks/loader.js';
import { frameworksByControl } from '../../frameworks/mapping.js';

export const spec: CommandSpec = {
  name: 'controls',
  summary: 'List the built-in controls, or show one in full.',
  usage: 'palisade controls [options] [ID]',
  options: [
    { name: 'format', short: 'f', type: 'string', valueName: 'FORMAT', description: 'Output format.', choices: ['table', 'json'], default: 'table' },
    { name: 'category', type: 'string', valueName: 'NAME', description: 'Only controls of this category.' },
  ],
  examples: ['palisade controls', 'palisade controls PAL-POD-001', 'palisade controls --format json'],
};

export const command: Command = {
  spec,
  run(args, io) {
    const mapping = frameworksByControl(builtinFrameworks());
    let controls = allControls();
    const category = args.values.category;
    if (typeof category === 'string') controls = controls.filter((c) => c.meta.category === category);
    const id = args.positionals[0];
    if (id) {
      const c = controls.find((x) => x.meta.id === id || x.meta.slug === id);
      if (!c) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `unknown control ${id}` }, { field: id }));
      controls = [c];
    }
    const rows = controls.map((c) => ({ ...c.meta, frameworks: mapping.get(c.meta.id) ?? [] }));
    if (args.values.format === 'json') {
      io.stdout.write(JSON.stringify(id ? rows[0] : rows, null, 2) + '\n');
      return EXIT.ok;
    }
    if (id) {
      const m = rows[0]!;
      const lines = [
        `${m.id}  ${m.title}`,
        `severity: ${m.severity}   category: ${m.category}   maturity: ${m.maturity}   applies to: ${m.appliesTo.join(', ')}`,
        '',
        m.description,
        '',
        `Why: ${m.rationale}`,
        '',
        `Fix: ${m.remediation}`,
      ];
      if (m.mitre?.length) lines.push('', `MITRE ATT&CK: ${m.mitre.join(', ')}`);
      if (m.frameworks.length) lines.push('', 'Frameworks:', ...m.frameworks.map((f) => `  ${f.framework} ${f.requirement}`));
      if (m.references?.length) lines.push('', 'References:', ...m.references.map((r) => `  ${r}`));
      io.stdout.write(lines.join('\n') + '\n');
      return EXIT.ok;
    }
    const w = Math.max(...rows.map((r) => r.id.length), 2);
    for (const r of rows) io.stdout.write(`${r.id.padEnd(w)}  ${r.severity.padEnd(8)}  ${r.category.padEnd(14)} ${r.title}\n`);
    io.stdout.write(`${rows.length} controls\n`);
    return EXIT.ok;
  },
};
