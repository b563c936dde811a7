/** The parts of a generated report kept between marker comments (hand-written notes, stored figures). */

export const NOTES_START = '<!-- notes:start -->';
export const NOTES_END = '<!-- notes:end -->';

/** The text between `start` and `end` in `text` (markers excluded), or undefined when they are not both there in order. */
export function sectionBetween(text: string, start: string, end: string): string | undefined {
	const from = text.indexOf(start);
	const to = text.indexOf(end);
	return from >= 0 && to > from ? text.slice(from + start.length, to) : undefined;
}
