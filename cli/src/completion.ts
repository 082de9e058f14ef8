import type { Command, Option } from 'commander';

/** What completion needs of one command, read from commander's tree. */
interface Spec {
  name: string;
  description: string;
  options: { flags: string[]; description: string; takesValue: boolean; choices: readonly string[] }[];
  /** Choices of the first argument (e.g. `completion bash|zsh`), if it has any. */
  argChoices: readonly string[];
  /** Whether its first argument is a path (complete files). */
  takesPath: boolean;
}

function specOf(cmd: Command, globals: readonly Option[]): Spec {
  const options = [...cmd.options, ...globals].map((o) => ({
    flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices ?? [],
  }));
  options.push({ flags: ['-h', '--help'], description: 'show help', takesValue: false, choices: [] });
  const first = cmd.registeredArguments[0];
  return {
    name: cmd.name(),
    description: cmd.description(),
    options,
    argChoices: first?.argChoices ?? [],
    takesPath: first !== undefined && /dir|path|file/.test(first.name()),
  };
}

function specsOf(program: Command): Spec[] {
  return program.commands.map((c) => specOf(c, program.options));
}

/** A bash completion script for `program` (also what zsh's bashcompinit would run). */
export function bashCompletion(program: Command): string {
  const name = program.name();
  const specs = specsOf(program);
  const cases = specs
    .map((s) => {
      const opts = s.options.flatMap((o) => o.flags).join(' ');
      const valued = s.options.filter((o) => o.takesValue).flatMap((o) => o.flags);
      const choiceCases = s.options
        .filter((o) => o.choices.length)
        .map((o) => `        ${o.flags.join('|')}) COMPREPLY=($(compgen -W "${o.choices.join(' ')}" -- "$cur")); return ;;`)
        .join('\n');
      const args = s.argChoices.length
        ? `COMPREPLY=($(compgen -W "${s.argChoices.join(' ')}" -- "$cur"))`
        : s.takesPath
          ? 'COMPREPLY=($(compgen -f -- "$cur"))'
          : 'COMPREPLY=()';
      return `    ${s.name})
      case "$prev" in
${choiceCases ? `${choiceCases}\n` : ''}        ${valued.length ? `${valued.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;` : '--) ;;'}
      esac
      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${opts}" -- "$cur")); else ${args}; fi
      ;;`;
    })
    .join('\n');
  return `# ${name} completion for bash. Install: ${name} completion bash > ~/.local/share/bash-completion/completions/${name}
_${name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${specs.map((s) => s.name).join(' ')} ${program.options.flatMap((o) => [o.short, o.long]).filter(Boolean).join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
}
complete -o default -F _${name}_complete ${name}
`;
}

/** `[`, `]` and `:` are syntax in _arguments specs; `'` ends the quoted word. */
function zshText(text: string): string {
  return text.replace(/'/g, "'\\''").replace(/([[\]:])/g, '\\$1');
}

/** A zsh completion script for `program`, with each command's and option's description. */
export function zshCompletion(program: Command): string {
  const name = program.name();
  const specs = specsOf(program);
  const commandList = specs.map((s) => `    '${zshText(s.name)}:${zshText(s.description)}'`).join('\n');
  const cases = specs
    .map((s) => {
      const opts = s.options.flatMap((o) =>
        o.flags.map((f) => {
          const value = o.takesValue ? (o.choices.length ? `:value:(${o.choices.join(' ')})` : ':value:_files') : '';
          return `'${f}[${zshText(o.description)}]${value}'`;
        }),
      );
      const arg = s.argChoices.length ? `'1:${s.name}:(${s.argChoices.join(' ')})'` : s.takesPath ? "'1:path:_files'" : '';
      return `    ${s.name}) _arguments ${[...opts, arg].filter(Boolean).join(' ')} ;;`;
    })
    .join('\n');
  return `#compdef ${name}
# ${name} completion for zsh. Install: ${name} completion zsh > "\${fpath[1]}/_${name}" (then restart zsh)
_${name}() {
  local -a commands
  commands=(
${commandList}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local command="\${words[2]}"
  shift words
  (( CURRENT-- ))
  case "$command" in
${cases}
  esac
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _${name} "$@"
else
  compdef _${name} ${name}
fi
`;
}
