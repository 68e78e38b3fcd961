// OSC 8 hyperlinks to the trace's page in the Langfuse UI, where the terminal supports them.
// The URL is built from server data (htmlPath): anything but a plain http(s) URL is refused,
// so no byte of it can end the escape sequence early.
import supportsHyperlinks from 'supports-hyperlinks';

const SAFE_URL = /^https?:\/\/[\x21-\x7e]+$/;

export function terminalSupportsLinks(): boolean {
  return Boolean(supportsHyperlinks.stdout);
}

/** `label` linked to `url`, or `label` alone when the URL is not a safe http(s) URL. */
export function osc8(url: string, label: string): string {
  const encoded = encodeURI(decodeURIComponentSafe(url));
  if (!SAFE_URL.test(encoded) || encoded.includes('\\')) return label;
  return `\x1b]8;;${encoded}\x07${label}\x1b]8;;\x07`;
}

function decodeURIComponentSafe(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}
