// express4 is Express 4 installed under an alias for the tests; its API as used here matches 5's types.
declare module 'express4' {
  import express from 'express'
  export default express
}
