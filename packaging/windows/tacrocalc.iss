; Inno Setup script: a per-user install of the frozen TacroCalc (no administrator rights),
; a Start-menu entry, an uninstaller, and ".tacrocalc" patient files opening in TacroCalc.
; Built by packaging/build-windows.ps1 (iscc /DAppVersion=... tacrocalc.iss).
; Patient data lives in %LOCALAPPDATA%\TacroCalc, outside the install folder: upgrading or
; uninstalling TacroCalc leaves it in place.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif

[Setup]
AppId={{6F1C3E52-4B7A-4C1E-9D2A-7A3C5B1E0F42}
AppName=TacroCalc
AppVersion={#AppVersion}
AppPublisher=TacroCalc
DefaultDirName={autopf}\TacroCalc
DefaultGroupName=TacroCalc
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes
OutputDir=..\..\dist
OutputBaseFilename=TacroCalc-{#AppVersion}-setup
SetupIconFile=..\..\build\tacrocalc.ico
UninstallDisplayIcon={app}\TacroCalc.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "..\..\dist\tacrocalc\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\TacroCalc"; Filename: "{app}\TacroCalc.exe"
Name: "{autodesktop}\TacroCalc"; Filename: "{app}\TacroCalc.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Registry]
; HKA is the current user's hive for a per-user install.
Root: HKA; Subkey: "Software\Classes\.tacrocalc"; ValueType: string; ValueName: ""; ValueData: "TacroCalc.PatientFile"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\TacroCalc.PatientFile"; ValueType: string; ValueName: ""; ValueData: "TacroCalc patient file"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\TacroCalc.PatientFile\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\TacroCalc.exe,0"
Root: HKA; Subkey: "Software\Classes\TacroCalc.PatientFile\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\TacroCalc.exe"" --open ""%1"""

[Run]
Filename: "{app}\TacroCalc.exe"; Description: "Open TacroCalc"; Flags: nowait postinstall skipifsilent
