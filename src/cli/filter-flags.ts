// The filter flags (--tag, --user, --score …) as one filter, with a profile's default filter;
// a malformed flag is a usage error naming it. Shared by tui, tail and top.

import { ACCEPTED_FORMS, combineFilters, filterFromFlags, parseFilter, type FilterFlags, type TraceFilter } from '../domain/filter-language.js';
import { UsageError } from './usage.js';

/** Flags (and a profile's default filter) as one filter; malformed flags fail fast. */
export function filterFromCli(flags: FilterFlags, profileFilter = ''): TraceFilter {
  const fromFlags = filterFromFlags(flags);
  if (!fromFlags.ok) throw new UsageError(`${fromFlags.errors.join('\n  ')}\nAccepted forms: ${ACCEPTED_FORMS}`);
  if (!profileFilter) return fromFlags.filter;
  const fromProfile = parseFilter(profileFilter);
  if (!fromProfile.ok) throw new UsageError(`the profile's filter: ${fromProfile.error.message}`);
  return combineFilters(fromProfile.filter, fromFlags.filter);
}
