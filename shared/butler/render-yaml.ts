/**
 * The converted configuration as commented YAML (the `yaml` package's Document API): small maps
 * of plain values in flow style (`{ file: client.pem }`), the rest in block style, a comment above
 * a key or at the end of its value where the mapping has something to say.
 */
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import type { Remark } from './draft.ts';

/** Keys that start a section: a blank line above them reads better. */
const SECTIONS = new Set(['qrs', 'licenseMonitor', 'licenseRelease', 'alarms', 'destinations']);

export function renderYaml(value: unknown, remarks: readonly Remark[], header: string): string {
  const document = new Document(value);
  if (document.contents) styleNode(document.contents);
  for (const remark of remarks) applyRemark(document, remark);
  document.commentBefore = commentText(header);
  return document.toString({ lineWidth: 0 });
}

/** `# text` for every line. */
const commentText = (text: string): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? '' : ` ${line}`))
    .join('\n');

function styleNode(node: unknown): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && SECTIONS.has(String(pair.key.value))) pair.key.spaceBefore = true;
      styleNode(pair.value);
    }
    const plain = node.items.every((pair) => isScalar(pair.value));
    if (plain && node.items.length > 0 && node.items.length <= 3) node.flow = true;
  } else if (isSeq(node)) {
    for (const item of node.items) styleNode(item);
    if (node.items.every((item) => isScalar(item))) node.flow = true;
  }
}

function applyRemark(document: Document, remark: Remark): void {
  const { path } = remark;
  if (path.length === 0) return;
  const parent = document.getIn(path.slice(0, -1), true);
  const last = path.at(-1);
  let keyNode: Node | undefined;
  let valueNode: unknown;
  if (isMap(parent)) {
    const pair = (parent as YAMLMap).items.find(
      (item: Pair) => isScalar(item.key) && item.key.value === last,
    );
    if (!pair) return;
    keyNode = isScalar(pair.key) ? pair.key : undefined;
    valueNode = pair.value;
    // A commented key inside a flow map would break the map over lines: show it as a block.
    (parent as YAMLMap).flow = false;
  } else if (isSeq(parent) && typeof last === 'number') {
    valueNode = (parent as YAMLSeq).items[last];
    keyNode = valueNode as Node;
  }
  if (remark.before && keyNode) addBefore(keyNode, remark.before);
  if (remark.after) {
    const flowOrScalar =
      isScalar(valueNode) || ((isMap(valueNode) || isSeq(valueNode)) && valueNode.flow);
    if (flowOrScalar) (valueNode as Node).comment = commentText(remark.after);
    else if (keyNode) addBefore(keyNode, remark.after);
  }
}

function addBefore(node: Node, text: string): void {
  node.commentBefore = node.commentBefore
    ? `${node.commentBefore}\n${commentText(text)}`
    : commentText(text);
}
