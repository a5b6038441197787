/** The settings table and what reads it: see table.ts. */
export {
  settingsHelp,
  settingsMarkdown,
  SETTINGS_TABLE_MARKERS,
  withSettingsTable,
} from './docs.js'
export {
  boolean,
  httpsUrl,
  isLoopbackUrl,
  list,
  minLength,
  oneOf,
  type ParseContext,
  type Parser,
  parseUrl,
  port,
  problem,
  SettingProblem,
  storeKind,
  stringMap,
  text,
  wholeNumber,
  wordOrUrl,
} from './parsers.js'
export {
  type Env,
  readSettings,
  type SettingsReading,
  type SettingsSource,
  settingForOption,
  settingsOf,
} from './read.js'
export { RUNTIMES, type Runtime, type Setting, type SettingGroup } from './setting.js'
export { SETTING_GROUPS, SETTINGS, type SettingName, type SettingValues } from './table.js'
