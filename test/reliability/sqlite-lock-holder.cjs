// S3 test helper: holds a write lock (BEGIN IMMEDIATE) on the SQLite file in argv[2] until killed.
const Database = require('better-sqlite3');
const db = new Database(process.argv[2]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\n');
setInterval(() => {}, 1000);
