// A trainer's output as it arrives: cut into segments at `\r` (tqdm redrawing its bar) and `\n`; a segment split
// across two reads is held until its end arrives.
export function outputSegments() {
  let partial = '';
  return {
    push(chunk: string): string[] {
      const parts = (partial + chunk).split(/\r\n|\r|\n/);
      partial = parts.pop() ?? '';
      return parts;
    },
    /** what is left when the output ends without a line break */
    end(): string[] {
      const rest = partial;
      partial = '';
      return rest ? [rest] : [];
    },
  };
}
