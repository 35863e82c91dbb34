/** Stable diagnostic codes of the data dictionary (inference warnings, validation errors, store conflicts). */
export const DictionaryErrors = {
  /** A field has different JSON kinds across samples (typed STRING). */
  ConflictingTypes: 'DICT101',
  /** A field is null/missing (or an empty array/object) everywhere: type guessed. */
  OnlyNulls: 'DICT102',
  /** A field mixes timestamp shapes, or timestamps and text. */
  MixedTimestampFormats: 'DICT103',
  /** A sample is not a JSON object. */
  BadSample: 'DICT104',
  /** No usable sample. */
  NoSamples: 'DICT105',
  /** Integers outside BIGINT. */
  NumberRange: 'DICT106',
  /** A nested timestamp the table's JSON standard cannot read natively. */
  NestedTimestamp: 'DICT107',
  /** The discriminator is not `$.path` or `header:name`. */
  BadDiscriminator: 'DICT108',
  /** A sample has no discriminator value. */
  MissingDiscriminator: 'DICT109',
  /** A source definition is invalid (the message names the field). */
  InvalidSource: 'DICT201',
  /** A field's SQL type does not parse. */
  BadType: 'DICT202',
  /** Unknown source. */
  UnknownSource: 'DICT301',
  /** A source of that name exists already. */
  SourceExists: 'DICT302',
  /** The saved version is not the expected one (concurrent edit). */
  VersionConflict: 'DICT303',
} as const;
