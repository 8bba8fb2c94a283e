export type ConfigValue = string | number | boolean;

const escapeXml = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A Hadoop *-site.xml: keys sorted, so the same config always renders the same bytes (and hash). */
export function renderHadoopXml(props: Record<string, ConfigValue>): string {
  const body = Object.keys(props)
    .sort()
    .map((k) => `  <property>\n    <name>${escapeXml(k)}</name>\n    <value>${escapeXml(String(props[k]))}</value>\n  </property>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!-- Written by pyro; edits are overwritten. Override keys in the inventory. -->\n<configuration>\n${body.join('\n')}\n</configuration>\n`;
}
