import type { Command, CommandSpec } from '../command.js';
import { diagnostic, EXIT, PalisadeError } from '../../core/errors.js';
import { builtinFrameworks } from '../../frameworks/loader.js';

export const spec: CommandSpec = {
  name: 'frameworks',
  summary: 'List the built-in compliance frameworks, or show one with its requirements and controls.',
  usage: 'palisade frameworks [options] [ID]',
  options: [{ name: 'format', short: 'f', type: 'string', valueName: 'FORMAT', description: 'Output format.', choices: ['table', 'json'], default: 'table' }],
  examples: ['palisade frameworks', 'palisade frameworks pss-restricted', 'palisade frameworks soc2 --format json'],
};

export const command: Command = {
  spec,
  run(args, io) {
    const all = [...builtinFrameworks().values()];
    const id = args.positionals[0];
    if (id) {
      const fw = all.find((f) => f.id === id);
      if (!fw) throw new PalisadeError(diagnostic('PALISADE_CLI_USAGE', { detail: `unknown framework ${id}; known: ${all.map((f) => f.id).join(', ')}` }, { field: id }));
      if (args.values.format === 'json') {
        io.stdout.write(JSON.stringify(fw, null, 2) + '\n');
        return EXIT.ok;
      }
      const lines = [`${fw.title} (${fw.id}, version ${fw.version}, ${fw.publisher})`, fw.description, ''];
      let section: string | undefined;
      for (const r of fw.requirements) {
        if (r.section && r.section !== section) {
          section = r.section;
          lines.push('', section);
        }
        lines.push(`  ${r.id.padEnd(16)} ${r.assessment.padEnd(9)} ${r.title}${r.controls.length ? `\n  ${''.padEnd(16)} ${''.padEnd(9)} controls: ${r.controls.join(', ')}` : ''}`);
      }
      io.stdout.write(lines.join('\n') + '\n');
      return EXIT.ok;
    }
    if (args.values.format === 'json') {
      io.stdout.write(JSON.stringify(all.map(({ requirements, ...f }) => ({ ...f, requirements: requirements.length })), null, 2) + '\n');
      return EXIT.ok;
    }
    const w = Math.max(...all.map((f) => f.id.length));
    for (const f of all) {
      const counts = { automated: 0, partial: 0, manual: 0, node: 0 };
      for (const r of f.requirements) counts[r.assessment]++;
      io.stdout.write(`${f.id.padEnd(w)}  ${f.title} — ${f.requirements.length} requirements (${counts.automated} automated, ${counts.partial} partial, ${counts.node} node, ${counts.manual} manual)\n`);
    }
    return EXIT.ok;
  },
};
