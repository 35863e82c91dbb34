/** Duration option values; the parser lives with the planner, which also reads durations from hints. */
export { parseDurationText as parseDuration } from '../plan/durations.js';
