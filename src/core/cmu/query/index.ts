/**
 * The one query model (a CmuQuery value), one file per job: model (empty, clone, reserved names), url
 * (to and from a CMU URL), iso (the one time-value reader), validate (structural errors + catalog
 * advice), describe (in words), curl (the one cURL command line).
 */
export * from './model';
export * from './url';
export * from './iso';
export * from './validate';
export * from './describe';
export * from './curl';
