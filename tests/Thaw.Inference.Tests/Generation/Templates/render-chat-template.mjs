// The oracle for Thaw's built-in chat templates: renders a model's real Jinja chat template with @huggingface/jinja
// (the Jinja of transformers.js), pinned in tests/package.json. Reads {template, now, cases: [{messages,
// add_generation_prompt, bos_token, eos_token}]} as JSON on stdin; writes the rendered strings as a JSON array.
// `now` (ISO 8601, UTC) is the clock that strftime_now reads, as the C# side reads a fake TimeProvider.
import { Template } from "@huggingface/jinja";

let input = "";
for await (const chunk of process.stdin) {
  input += chunk;
}

const { template, now, cases } = JSON.parse(input);
const fixedNow = new Date(now).getTime();
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    super(...(args.length === 0 ? [fixedNow] : args));
  }

  static now() {
    return fixedNow;
  }
};

const compiled = new Template(template);
process.stdout.write(JSON.stringify(cases.map((c) => compiled.render(c))));
