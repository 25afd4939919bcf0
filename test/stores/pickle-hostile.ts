/** Hand-made and CPython-made pickles the restricted unpickler must refuse (tests and fuzz seeds). */
export const HOSTILE: Record<string, string> = {
  'os.system reducer, protocol 4 (STACK_GLOBAL)':
    '80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e',
  'os.system reducer, protocol 2 (GLOBAL)':
    '800263706f7369780a73797374656d0a7100580a0000006563686f2070776e656471018571025271032e',
  'os.system, protocol 0 text': Buffer.from("cos\nsystem\n(S'echo pwned'\ntR.").toString('hex'),
  'builtins.eval reducer':
    '80059541000000000000008c086275696c74696e73948c046576616c9493948c255f5f696d706f72745f5f28276f7327292e73797374656d28276563686f2070776e6564272994859452942e',
  'collections.OrderedDict (a harmless class is still a global)':
    '80059529000000000000008c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c0161944b01732e',
  'a set inside a session': '8004950e000000000000007d948c0161948f94284b0190732e',
  bytearray: '8005950d000000000000009602000000000000006162942e',
  'EXT1 (copyreg extension registry)': '8002827f2e',
  'BUILD on a dict': '80057d947d9462942e',
  'NEWOBJ of a datetime': `8005${'8c086461746574696d65948c086461746574696d659493'}2981942e`,
  'INST (protocol 0)': Buffer.from('(ios\nsystem\nS"x"\n.').toString('hex'),
  'persistent id': `8005${'8c0178'}512e`,
  'REDUCE of the allowed datetime with a wrong argument shape': `8005${'8c086461746574696d65948c086461746574696d659493'}4b0185522e`,
  'REDUCE of something that is not a constructor': '80058c016e948c016e9485522e',
  'a tzinfo left outside a datetime': `8005${'8c0470797' + '47a948c045f5554439493'}29522e`,
  'protocol 6': '80067d942e',
  'BINUNICODE claiming 4 GiB': '800558ffffffff2e',
  'BINBYTES8 claiming 2^63': `80058e${'0000000000000080'}2e`,
  'BINUNICODE8 claiming 2^64-1': `80058d${'ffffffffffffffff'}2e`,
  'FRAME claiming more than there is': `800595${'ffffffffffffff7f'}4e2e`,
  'LONG4 of 2^31-1 bytes': '80058bffffff7f2e',
  'LONG1 of 200 bytes': `80058ac8${'00'.repeat(200)}2e`,
  'BINGET of a memo slot never stored': '8005686b2e',
  'LONG_BINPUT at 2^32-1 then LONG_BINGET of a missing one': '80054e72ffffffff6a000000002e',
  'a list containing itself': '80055d946800612e',
  'deep nesting: 100,000 lists': `8005${'5d'.repeat(100_000)}${'61'.repeat(99_999)}2e`,
  // list(k+1) = [list(k), list(k)], 40 times: 2^40 leaves once expanded, 41 lists in memory.
  'a billion laughs (40 doublings of a shared list)': `8005${'5d9430'}${Array.from(
    { length: 40 },
    (_, k) => `5d9428${`68${k.toString(16).padStart(2, '0')}`.repeat(2)}65${k < 39 ? '30' : ''}`,
  ).join('')}2e`,
  'MARK flood': `8005${'28'.repeat(300_000)}2e`,
  'STOP with two values on the stack': '80054e4e2e',
  'bytes after STOP': '80054e2e4e',
  'no STOP': '80057d94',
  'truncated SHORT_BINUNICODE': '80058c0a6162',
  'a str that is not UTF-8': '80058c02ff fe2e'.replace(' ', ''),
  'dict key that is a list': '80057d945d944e732e',
  'APPEND to a tuple': '8005294e612e',
  'SETITEM on a list': '80055d944e4e732e',
  'an impossible date (Feb 30)': `8005${'8c086461746574696d65948c086461746574696d659493'}430a07ea021e000000000000${'85'}522e`,
};
