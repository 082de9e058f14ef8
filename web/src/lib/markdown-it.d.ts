// markdown-it ships no types of its own; this is the little of it that schemaMarkdown.ts uses.
declare module 'markdown-it' {
  interface Options {
    html?: boolean;
    linkify?: boolean;
    typographer?: boolean;
  }
  export default class MarkdownIt {
    constructor(options?: Options);
    render(source: string): string;
    renderInline(source: string): string;
  }
}
