// The seconds-precision UTC time IMS shows, `2018-09-06T14:03:27Z`: three per image shown, so three hundred per
// page of a hundred. Date's own formatting was most of what showing an image cost (about 0.4 µs a time); the
// date part changes once a day, so it is formatted by Date once per day met and the time of day by arithmetic.

const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
/** `2018-09-06T` of cachedDay. */
let cachedDate = "";

const twoDigits = (n: number) => (n < 10 ? `0${n}` : String(n));

export function imsTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const iso = new Date(day * DAY_MS).toISOString();
    // A year outside 0000–9999 is written with a sign and six digits: Date formats those whole.
    if (iso.length !== 24) return `${new Date(ms).toISOString().slice(0, 19)}Z`;
    cachedDay = day;
    cachedDate = iso.slice(0, 11);
  }
  const seconds = Math.floor((ms - day * DAY_MS) / 1000);
  return `${cachedDate}${twoDigits(Math.floor(seconds / 3600))}:${twoDigits(Math.floor(seconds / 60) % 60)}:${twoDigits(seconds % 60)}Z`;
}
